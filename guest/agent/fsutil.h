/* Small file helpers shared by the commands. */
#ifndef NOOKS_AGENT_FSUTIL_H
#define NOOKS_AGENT_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

int fs_write_all(int fd, const void *buf, size_t len);

/* Creates every missing directory above `path` (like mkdir -p of dirname). */
int fs_mkdir_parents(const char *path);

/* Reads a whole (small) file into a malloc'd NUL-terminated buffer.
 * Returns NULL with errno set. *len may be NULL. */
char *fs_read_file(const char *path, size_t max, size_t *len);

/* Reads the first line of a file (sysfs attribute) without the newline. */
int fs_read_line(const char *path, char *buf, size_t cap);

/* Writes a string to a file (sysfs/procfs knob). */
int fs_write_str(const char *path, const char *s);

/* Milliseconds of CLOCK_MONOTONIC / CLOCK_BOOTTIME. */
long long now_ms(void);
long long uptime_ms(void);

void sleep_ms(long ms);

#endif
