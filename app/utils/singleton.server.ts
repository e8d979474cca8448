/**
 * One instance per process, even when a module is loaded twice (the server
 * bundle and the Remix build each carry a copy of the app's modules, and dev
 * reloads re-evaluate them).
 */
export function singleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as { __singletons?: Map<string, unknown> };
  store.__singletons ??= new Map();
  if (!store.__singletons.has(name)) store.__singletons.set(name, create());
  return store.__singletons.get(name) as T;
}
