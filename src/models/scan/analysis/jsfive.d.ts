// Minimal typings for jsfive (the package ships none): only what hdf5-worker.ts uses.
declare module 'jsfive' {
  export class File {
    constructor(buffer: ArrayBuffer, filename?: string);
    readonly attrs: Record<string, unknown>;
    readonly keys: string[];
  }
}
