/**
 * Waits for `work` at most `ms`: true when it settled (resolved or rejected) in time, false when
 * the time ran out first. For shutdown paths, which must end whatever the OS does.
 *
 * @example
 * if (!(await settlesWithin(instance.gone, 5000))) logger.error("it did not exit");
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
