// The public face of the generated protobuf code (`npm run proto` regenerates the *_pb.ts files).
export * from './arqon/v1/envelope_pb.js';
export * from './arqon/v1/frames_pb.js';
