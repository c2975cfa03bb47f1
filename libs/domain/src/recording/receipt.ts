/** What recording an event answers: where it is in the log. */
export interface Receipt {
  readonly id: string;
  readonly leafIndex: bigint;
  /** The server time in the event's envelope. */
  readonly time: string;
  /** False when this was a retry of an event already recorded: the receipt is the first one. */
  readonly created: boolean;
}
