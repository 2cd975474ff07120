/**
 * The part of the WebAssembly JS API that src/policy uses. The project's `lib` is ES2023, which
 * has no WebAssembly declarations (they come with the DOM lib, and @types/node 20 has none).
 */
declare namespace WebAssembly {
  interface ModuleExportDescriptor {
    readonly kind: 'function' | 'global' | 'memory' | 'table' | 'tag';
    readonly name: string;
  }
  interface ModuleImportDescriptor extends ModuleExportDescriptor {
    readonly module: string;
  }
  class Module {
    constructor(bytes: Uint8Array);
    static exports(module: Module): ModuleExportDescriptor[];
    static imports(module: Module): ModuleImportDescriptor[];
    static customSections(module: Module, name: string): ArrayBuffer[];
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    readonly exports: Record<string, unknown>;
  }
  function compile(bytes: Uint8Array): Promise<Module>;
  function validate(bytes: Uint8Array): boolean;
}
