/**
 * Imports functions/index.ts once, which registers every function with functions/app.ts (Node caches the module, so
 * calling this again is free). Shared by the local host and the Event Hubs feeder.
 */
export function loadFunctions(): void {
  require('../functions/index');
}
