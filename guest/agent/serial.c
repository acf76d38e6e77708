/* Serial port setup; see serial.h. Raw mode matters: the line discipline
 * would otherwise echo the host's commands back, turn '\n' into "\r\n" and
 * eat ^C/^D in base64-free binary-ish payloads. */
#include "serial.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "fsutil.h"

/* QEMU's 16550 hands the guest at most "RX trigger level" bytes per
 * interrupt; Linux sets 8. 14 (the 16550 maximum) nearly doubles `put`
 * throughput under TCG. Best effort: other UARTs lack the knob. */
static void raise_rx_trigger(const char *dev)
{
	const char *base = strrchr(dev, '/');
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/tty/%s/rx_trig_bytes",
		 base ? base + 1 : dev);
	fs_write_str(path, "14");
}

int serial_open_raw(const char *dev)
{
	struct termios t;
	int fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t) < 0)
		goto fail;
	cfmakeraw(&t);
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)CRTSCTS;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		goto fail;
	tcflush(fd, TCIFLUSH);   /* whatever arrived before the agent ran */
	raise_rx_trigger(dev);
	return fd;
fail:
	close(fd);
	return -1;
}
