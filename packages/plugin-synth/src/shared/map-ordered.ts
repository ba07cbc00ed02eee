/**
 * Maps an async stream with up to `concurrency` calls in flight and yields results in input
 * order. Used by selectors that ask a judge about every row before deciding.
 */
export async function* mapOrdered<T, R>(source: AsyncIterable<T>, concurrency: number, map: (item: T) => Promise<R>): AsyncIterable<R> {
  const pending: Array<Promise<R>> = [];
  for await (const item of source) {
    const promise = map(item);
    // Avoid unhandled-rejection warnings while the promise waits its turn; it is awaited below.
    promise.catch(() => undefined);
    pending.push(promise);
    if (pending.length >= concurrency) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}
