// How many of a server's sessions are reading right now. One stream's cached reads are cheapest on the event
// loop: no thread hand-off, and the bytes are still in this core's cache when the socket copies them out.
// With several streams the loop, which also sends every reply, is what limits them all; their large reads
// then go to libuv's pool, so the copies out of the page cache run on other cores while the loop sends.

export class ReadingSessions {
  private count = 0;

  /** A session started reading (it had no READ in progress or waiting for the socket). */
  enter(): void {
    this.count++;
  }

  /** That session's last READ has been handed to the kernel (or dropped). */
  leave(): void {
    this.count--;
  }

  /** Whether more than one session is reading. */
  get several(): boolean {
    return this.count > 1;
  }
}
