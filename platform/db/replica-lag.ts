/** How many primary positions are kept at most; the oldest unreplayed one always stays. */
const MAX_SAMPLES = 1_000;

/**
 * Measures how far a replica's replay is behind the primary, in seconds of the primary's time:
 * each check records the primary's WAL position with the time it was seen, and the lag is the
 * age of the oldest recorded position the replica has not replayed yet. Unlike "time since the
 * last replayed transaction", an idle primary reads as no lag and a replica cut off from a busy
 * one reads as lagging more every check.
 */
export class ReplicaLag {
  private readonly positions: { seenAt: number; lsn: bigint }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Records the primary's position and returns the replica's lag given its replayed position. */
  observe(primaryLsn: bigint, replayedLsn: bigint): number {
    const seenAt = this.now();
    this.positions.push({ seenAt, lsn: primaryLsn });
    while (this.positions.length > 0 && this.positions[0]!.lsn <= replayedLsn) {
      this.positions.shift();
    }
    // Thinning the middle keeps the oldest position, which alone decides the lag.
    if (this.positions.length > MAX_SAMPLES) this.positions.splice(1, 1);
    const oldest = this.positions[0];
    return oldest ? (seenAt - oldest.seenAt) / 1000 : 0;
  }
}
