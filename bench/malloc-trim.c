/*
 * Diagnostic LD_PRELOAD for bench/fuzz-memory.ts (Linux, glibc >= 2.33): when the file
 * /tmp/malloc-trim-<pid> appears, appends glibc's mallinfo2 (bytes in use vs. held) to
 * /tmp/malloc-trim-<pid>.out, calls malloc_trim(0), appends mallinfo2 again and removes the file.
 * It shows how much of a process's RSS is free memory malloc keeps. Not for production.
 *
 *   gcc -O2 -shared -fPIC -o /tmp/malloc-trim.so bench/malloc-trim.c -lpthread
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void report(FILE *f, const char *when) {
  struct mallinfo2 m = mallinfo2();
  fprintf(f, "%s: arenas %zu MiB, in use %zu MiB, free %zu MiB (releasable at the top %zu MiB), mmapped chunks %zu MiB\n",
          when, m.arena >> 20, m.uordblks >> 20, m.fordblks >> 20, m.keepcost >> 20, m.hblkhd >> 20);
}

static void *watch(void *unused) {
  char req[64], out[80];
  snprintf(req, sizeof req, "/tmp/malloc-trim-%d", getpid());
  snprintf(out, sizeof out, "/tmp/malloc-trim-%d.out", getpid());
  for (;;) {
    usleep(50000);
    if (access(req, F_OK) != 0) continue;
    FILE *f = fopen(out, "a");
    if (!f) continue;
    report(f, "before malloc_trim(0)");
    malloc_trim(0);
    report(f, "after malloc_trim(0)");
    fclose(f);
    unlink(req);
  }
  return unused;
}

__attribute__((constructor)) static void start(void) {
  pthread_t t;
  if (pthread_create(&t, 0, watch, 0) == 0) pthread_detach(t);
}
