/* SPDX-License-Identifier: MIT */
/* agent.h — the host side of guest/PROTOCOL.md on a connected stream.
 *
 * The agent talks in lines. READY and HB lines are unsolicited and only
 * update the liveness record (hang detection uses the time of the last
 * one); every other line belongs to a command by its tag. Commands run one
 * at a time: lines with another tag (left over from an earlier, timed-out
 * command) are dropped. */
#ifndef VMCTL_AGENT_H
#define VMCTL_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "linebuf.h"
#include "vmctl.h"

/* Called between reads while a command waits. Returns VM_CMD_OK to go on,
 * or the status that ends the command (VM_CMD_EXITED, VM_CMD_HUNG...).
 * This is how the VM layer adds QEMU exit, QMP events and gdb stops. */
typedef enum vm_cmd_status (*agent_check_fn)(void *arg);

struct agent {
	int fd;
	struct linebuf lb;
	unsigned next_tag;
	bool ready;              /* saw READY */
	char release[128];       /* kernel release from READY */
	uint64_t hb_seq;         /* last heartbeat sequence */
	uint64_t hb_uptime_ms;   /* guest uptime in the last heartbeat */
	int64_t last_alive_ms;   /* host time of the last READY/HB */
	int max_gap_ms;          /* longest heartbeat gap in the current command */
	int hang_timeout_ms;     /* 0 = no hang detection */
	int tick_ms;             /* how often check runs while waiting */
	agent_check_fn check;
	void *check_arg;
};

void agent_init(struct agent *a, int fd, int hang_timeout_ms);
void agent_close(struct agent *a);

/* Send "<tag> hello" and wait for READY and the OK. */
int agent_hello(struct agent *a, int timeout_ms);

/* Wait for an unsolicited READY line (fresh boot). */
int agent_wait_ready(struct agent *a, int timeout_ms);

/* Read what is readable now and handle heartbeats; returns <0 on EOF. Lines
 * for no command in progress are dropped. */
int agent_pump(struct agent *a, int timeout_ms);

/* Parse one response line body (after the tag) into r. Returns false for
 * a line that is not STEP/DATA/OK/ERR. Modifies line in place. */
bool agent_parse_reply(char *body, struct vm_reply *r);

/* Run one command line (without tag). payload (may be NULL) is sent right
 * after the command line (the base64 body of put). */
enum vm_cmd_status agent_command(struct agent *a, const char *cmdline, const char *payload,
				 size_t payload_len, int timeout_ms, vm_reply_fn fn, void *arg,
				 struct vm_cmd_result *res);

/* Build the `put` body: base64 lines of at most 76 characters. Returns a
 * malloc'd buffer and its length; crc gets the zlib CRC-32 of data. */
char *agent_put_body(const void *data, size_t len, size_t *body_len, uint32_t *crc);

/* The same for the compressed form `put <path> <size> <crc> zlib <wire>`:
 * base64 lines of the zlib stream (compress2, level 9) of data; wire_len
 * gets the stream's length and crc the CRC-32 of data itself. NULL when
 * out of memory. Serial bandwidth (~17 KB/s under TCG) is what a put
 * costs, so a module's ~4x compression is ~4x faster. */
char *agent_put_zbody(const void *data, size_t len, size_t *body_len, size_t *wire_len,
		      uint32_t *crc);

/* True when the environment asks for the raw form (VMCTL_PUT_RAW set and
 * not "0"): for testing the old form of the protocol and for agents that
 * predate the zlib form. */
bool agent_put_raw_requested(void);

#endif
