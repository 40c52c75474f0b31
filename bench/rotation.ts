/** The order of measurements shared by the benchmarks that compare several contenders. */

export interface Rounds {
  /** Rounds run first and thrown away. */
  warmups: number;
  /** Measured rounds. */
  runs: number;
}

/**
 * `warmups` then `runs` rounds; in each, every contender takes one turn, in an order that rotates
 * round by round so that machine noise hits them alike. `turn` measures one contender (keeping
 * the sample unless `warm`) and describes it; `done` gets the round's label (`warm-up` or
 * `run i/n`) and the descriptions, in the order taken.
 */
export async function inRotation<T>(
  contenders: readonly T[],
  rounds: Rounds,
  turn: (contender: T, warm: boolean) => Promise<string>,
  done: (label: string, measured: string[]) => void,
): Promise<void> {
  const total = rounds.warmups + rounds.runs;
  for (let round = 0; round < total; round++) {
    const warm = round < rounds.warmups;
    const measured: string[] = [];
    for (let at = 0; at < contenders.length; at++) {
      measured.push(await turn(contenders[(round + at) % contenders.length]!, warm));
    }
    done(warm ? "warm-up" : `run ${round - rounds.warmups + 1}/${rounds.runs}`, measured);
  }
}
