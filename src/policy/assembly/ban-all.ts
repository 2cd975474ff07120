// ban-all: refuses every connection of its scope. Pushed live, it also closes the connections that
// are open (4003); new ones get HTTP 403. Push it with --tenant T to ban one tenant only.
import { deny } from './lib/verdict';

export { policyAbort } from './lib/verdict';

export function on_connect(): i32 {
  return deny('connections are closed by the ban-all policy');
}
