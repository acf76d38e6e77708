// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: /sys/kernel/debug/nooks/<driver>/pci_error.
 *
 * Our guests' e1000 is a conventional PCI device on the root bus of an
 * i440fx machine: there is no PCIe port above it, so AER (and aer_inject)
 * can never run the driver's error handlers. Writing "frozen" or
 * "normal" (the channel state) here runs, for the domain's device, the
 * sequence the kernel's pcie_do_recovery() (drivers/pci/pcie/err.c, 6.1)
 * runs for one device, calling each handler the way its report_*()
 * helpers do: through dev->driver->err_handler (that is, through the
 * shadow table and its trampolines) with the device lock held:
 *
 *   error_detected(state)  channel state set to @state first
 *   mmio_enabled()         if the vote was CAN_RECOVER
 *   slot_reset()           if the vote was NEED_RESET
 *   resume()               if the result is RECOVERED (channel normal)
 *   error_detected(perm_failure)   otherwise, as the kernel does
 *
 * Differences from the kernel: no link or bus reset between
 * error_detected and slot_reset (there is no bridge to reset; e1000's
 * slot_reset resets its MAC itself), no uevents, and at the end the
 * channel is set back to normal even after a failure: the simulated
 * error is transient, so nooks' restart of a faulted driver can probe
 * the device again. Reading the file gives the last sequence's outcome.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/seq_buf.h>
#include <linux/uaccess.h>

#include "nooks_internal.h"

#define NOOKS_PCIERR_LEN 256

static DEFINE_MUTEX(nooks_pcierr_lock);
static char nooks_pcierr_last[NOOKS_PCIERR_LEN] = "none\n";

static const char *nooks_ers_name(pci_ers_result_t r)
{
	switch (r) {
	case PCI_ERS_RESULT_NONE:
		return "none";
	case PCI_ERS_RESULT_CAN_RECOVER:
		return "can_recover";
	case PCI_ERS_RESULT_NEED_RESET:
		return "need_reset";
	case PCI_ERS_RESULT_DISCONNECT:
		return "disconnect";
	case PCI_ERS_RESULT_RECOVERED:
		return "recovered";
	case PCI_ERS_RESULT_NO_AER_DRIVER:
		return "no_aer_driver";
	default:
		return "?";
	}
}

/* merge_result() of drivers/pci/pcie/err.c: one device's vote. */
static pci_ers_result_t nooks_ers_merge(pci_ers_result_t orig,
					pci_ers_result_t vote)
{
	if (vote == PCI_ERS_RESULT_NO_AER_DRIVER)
		return PCI_ERS_RESULT_NO_AER_DRIVER;
	if (vote == PCI_ERS_RESULT_NONE)
		return orig;
	switch (orig) {
	case PCI_ERS_RESULT_CAN_RECOVER:
	case PCI_ERS_RESULT_RECOVERED:
		return vote;
	case PCI_ERS_RESULT_DISCONNECT:
		return vote == PCI_ERS_RESULT_NEED_RESET ? vote : orig;
	default:
		return orig;
	}
}

/* The handlers the kernel would call now, or NULL (device lock held). */
static const struct pci_error_handlers *nooks_err_handlers(struct pci_dev *pdev)
{
	struct pci_driver *drv = pdev->dev.driver ?
				 to_pci_driver(pdev->dev.driver) : NULL;

	return drv ? drv->err_handler : NULL;
}

enum nooks_ers_step { NOOKS_ERS_DETECTED, NOOKS_ERS_MMIO, NOOKS_ERS_RESET };

/* One report_*() of err.c: a vote, or NONE if the handler is missing. */
static pci_ers_result_t nooks_ers_report(struct pci_dev *pdev,
					 enum nooks_ers_step step,
					 pci_channel_state_t state)
{
	const struct pci_error_handlers *eh;
	pci_ers_result_t vote = PCI_ERS_RESULT_NONE;

	device_lock(&pdev->dev);
	eh = nooks_err_handlers(pdev);
	switch (step) {
	case NOOKS_ERS_DETECTED:
		pdev->error_state = state;
		if (!eh || !eh->error_detected)
			vote = PCI_ERS_RESULT_NO_AER_DRIVER;
		else
			vote = eh->error_detected(pdev, state);
		break;
	case NOOKS_ERS_MMIO:
		if (eh && eh->mmio_enabled)
			vote = eh->mmio_enabled(pdev);
		break;
	case NOOKS_ERS_RESET:
		if (eh && eh->slot_reset)
			vote = eh->slot_reset(pdev);
		break;
	}
	device_unlock(&pdev->dev);
	return vote;
}

static void nooks_ers_resume(struct pci_dev *pdev)
{
	const struct pci_error_handlers *eh;

	device_lock(&pdev->dev);
	pdev->error_state = pci_channel_io_normal;
	eh = nooks_err_handlers(pdev);
	if (eh && eh->resume)
		eh->resume(pdev);
	device_unlock(&pdev->dev);
}

static const char * const nooks_ers_step_names[] = {
	[NOOKS_ERS_DETECTED] = "error_detected",
	[NOOKS_ERS_MMIO] = "mmio_enabled",
	[NOOKS_ERS_RESET] = "slot_reset",
};

/* One step: the device's vote, merged into *@status and described. */
static void nooks_ers_vote(struct pci_dev *pdev, enum nooks_ers_step step,
			   pci_channel_state_t state, pci_ers_result_t *status,
			   struct seq_buf *out)
{
	pci_ers_result_t vote = nooks_ers_report(pdev, step, state);

	*status = nooks_ers_merge(*status, vote);
	seq_buf_printf(out, "%s=%s ", nooks_ers_step_names[step],
		       nooks_ers_name(vote));
}

/* Run the sequence on @pdev; describe it in @out. */
static void nooks_pcierr_run(struct pci_dev *pdev, pci_channel_state_t state,
			     struct seq_buf *out)
{
	pci_ers_result_t status = PCI_ERS_RESULT_CAN_RECOVER;

	nooks_ers_vote(pdev, NOOKS_ERS_DETECTED, state, &status, out);
	if (status == PCI_ERS_RESULT_CAN_RECOVER) {
		status = PCI_ERS_RESULT_RECOVERED;
		nooks_ers_vote(pdev, NOOKS_ERS_MMIO, state, &status, out);
	}
	if (status == PCI_ERS_RESULT_NEED_RESET) {
		status = PCI_ERS_RESULT_RECOVERED;
		nooks_ers_vote(pdev, NOOKS_ERS_RESET, state, &status, out);
	}
	if (status == PCI_ERS_RESULT_RECOVERED) {
		nooks_ers_resume(pdev);
		seq_buf_printf(out, "resume=called result=recovered\n");
		return;
	}
	nooks_ers_report(pdev, NOOKS_ERS_DETECTED, pci_channel_io_perm_failure);
	device_lock(&pdev->dev);
	pdev->error_state = pci_channel_io_normal;	/* transient: see top */
	device_unlock(&pdev->dev);
	seq_buf_printf(out, "result=failed\n");
}

static ssize_t nooks_pcierr_write(struct file *f, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct nooks_domain *d = file_inode(f)->i_private;
	pci_channel_state_t state;
	char buf[16], result[NOOKS_PCIERR_LEN] = "";
	struct seq_buf out;
	struct pci_dev *pdev;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sysfs_streq(buf, "frozen"))
		state = pci_channel_io_frozen;
	else if (sysfs_streq(buf, "normal"))
		state = pci_channel_io_normal;
	else
		return -EINVAL;

	mutex_lock(&d->life_lock);	/* recovery may be replacing pdev */
	pdev = pci_dev_get(d->pdev);
	mutex_unlock(&d->life_lock);
	if (!pdev)
		return -ENODEV;

	mutex_lock(&nooks_pcierr_lock);
	seq_buf_init(&out, result, sizeof(result));
	nooks_pcierr_run(pdev, state, &out);
	pr_info("nooks: %s: simulated PCI error (%s) on %s: %s", d->name,
		state == pci_channel_io_frozen ? "frozen" : "normal",
		pci_name(pdev), result);
	strscpy(nooks_pcierr_last, result, sizeof(nooks_pcierr_last));
	mutex_unlock(&nooks_pcierr_lock);
	pci_dev_put(pdev);
	return len;
}

static ssize_t nooks_pcierr_read(struct file *f, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	char buf[NOOKS_PCIERR_LEN];

	mutex_lock(&nooks_pcierr_lock);
	strscpy(buf, nooks_pcierr_last, sizeof(buf));
	mutex_unlock(&nooks_pcierr_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations nooks_pcierr_fops = {
	.owner = THIS_MODULE,
	.read = nooks_pcierr_read,
	.write = nooks_pcierr_write,
	.llseek = default_llseek,
};

void nooks_pcierr_debugfs_add(struct nooks_domain *d, struct dentry *dir)
{
	debugfs_create_file("pci_error", 0600, dir, d, &nooks_pcierr_fops);
}
