// The two failures of the CLI's own, besides the library's FormatError and VerificationError.


/** A file, stdin, the network or the state directory could not give what was asked (exit 2). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** An evidence bundle failed; the message is the verdict line `FAIL bundle: ...` (exit 1). */
export class BundleFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleFailure';
  }
}
