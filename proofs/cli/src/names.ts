// What the CLI calls itself, and the help texts and variables several commands share.

export const PROGRAM = 'trailmark-verify';

export const KEY_HELP = 'the log\'s verifier key "<name>+<8 hex>+<base64>", or a file holding it';

/** Where the monitor finds a bearer token when --token is not given: a token on a command line is seen by every user. */
export const TOKEN_ENV = 'TRAILMARK_TOKEN';
