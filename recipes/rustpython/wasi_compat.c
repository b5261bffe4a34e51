/* What Rust 1.96's std and RustPython 0.6 call that Debian 12's wasi-libc (a 2022 snapshot)
 * lacks. Linked as an archive after libc, so a newer wasi-libc that has these functions wins
 * and nothing here is used. Threads do not exist in wasm32-wasip1: creating one fails as
 * pthread_create does when a system is out of threads, and Python reports it. */
#include <errno.h>
#include <stddef.h>

int *__errno_location(void) { return &errno; }

int pthread_attr_init(void *attr) { return 0; }
int pthread_attr_destroy(void *attr) { return 0; }
int pthread_attr_setstacksize(void *attr, size_t size) { return 0; }
int pthread_create(void *thread, const void *attr, void *(*start)(void *), void *arg) { return EAGAIN; }
int pthread_detach(unsigned long thread) { return ESRCH; }
int pthread_join(unsigned long thread, void **result) { return ESRCH; }

/* No directory is resolvable from inside the sandbox but /script; callers fall back. */
char *realpath(const char *path, char *resolved) {
  errno = ENOTSUP;
  return NULL;
}
