/** What authorization decided, with why. The same object feeds the error, the audit log and the API. */
export interface Decision {
  readonly effect: 'allow' | 'deny';
  /** Id of the policy or role rule that matched, or `default-deny`. */
  readonly policy: string;
  readonly reason: string;
}
