/* The agent's serial port: raw, 8-bit clean, 115200 baud. */
#ifndef NOOKS_AGENT_SERIAL_H
#define NOOKS_AGENT_SERIAL_H

/* Opens and configures the device. Returns the fd or -1 with errno. */
int serial_open_raw(const char *dev);

#endif
