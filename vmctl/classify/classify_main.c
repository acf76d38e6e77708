/*
 * Stand-alone driver for cmd_classify, for this folder's tests and for
 * hand use before `vmctl classify` exists.  bin/vmctl is the real entry.
 */
#include "classify.h"

int main(int argc, char **argv)
{
	return cmd_classify(argc, argv);
}
