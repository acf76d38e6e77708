/* Serial port setup; see serial.h. Raw mode matters: the line discipline
 * would otherwise echo the host's commands back, turn '\n' into "\r\n" and
 * eat ^C/^D in base64-free binary-ish payloads. */
#include "serial.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

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
	return fd;
fail:
	close(fd);
	return -1;
}
