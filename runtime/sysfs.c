// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/nooks/<driver>/: state, faults, recoveries, last_fault,
 * xpc_count, xpc_saved, tracked_objects. Read by nooksstat in the guest.
 * A domain's life here also brackets its crossing-benchmark entry
 * (xpcbench.c, which must not outlive it) and its receive queues
 * (batch.c).
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "nooks_internal.h"

static struct kobject *nooks_kobj;

#define to_domain(k) container_of(k, struct nooks_domain, kobj)

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  nooks_state_name(atomic_read(&to_domain(k)->state)));
}

static ssize_t faults_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_domain(k)->faults));
}

static ssize_t recoveries_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_domain(k)->recoveries));
}

static ssize_t last_fault_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	struct nooks_domain *d = to_domain(k);

	return sysfs_emit(buf, "%s\n", d->last_fault[0] ? d->last_fault : "none");
}

static ssize_t xpc_count_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&to_domain(k)->xpc_count));
}

/* Crossings avoided by batching (batch.c): not included in xpc_count. */
static ssize_t xpc_saved_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&to_domain(k)->xpc_saved));
}

static ssize_t tracked_objects_show(struct kobject *k,
				    struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_domain(k)->tracked));
}

static struct kobj_attribute nooks_attr_state = __ATTR_RO(state);
static struct kobj_attribute nooks_attr_faults = __ATTR_RO(faults);
static struct kobj_attribute nooks_attr_recoveries = __ATTR_RO(recoveries);
static struct kobj_attribute nooks_attr_last_fault = __ATTR_RO(last_fault);
static struct kobj_attribute nooks_attr_xpc_count = __ATTR_RO(xpc_count);
static struct kobj_attribute nooks_attr_xpc_saved = __ATTR_RO(xpc_saved);
static struct kobj_attribute nooks_attr_tracked = __ATTR_RO(tracked_objects);

static struct attribute *nooks_domain_attrs[] = {
	&nooks_attr_state.attr,
	&nooks_attr_faults.attr,
	&nooks_attr_recoveries.attr,
	&nooks_attr_last_fault.attr,
	&nooks_attr_xpc_count.attr,
	&nooks_attr_xpc_saved.attr,
	&nooks_attr_tracked.attr,
	NULL,
};

static const struct attribute_group nooks_domain_group = {
	.attrs = nooks_domain_attrs,
};

int nooks_sysfs_init(void)
{
	nooks_kobj = kobject_create_and_add("nooks", kernel_kobj);
	return nooks_kobj ? 0 : -ENOMEM;
}

void nooks_sysfs_exit(void)
{
	kobject_put(nooks_kobj);
}

int nooks_sysfs_add(struct nooks_domain *d)
{
	int ret = kobject_add(&d->kobj, nooks_kobj, "%s", d->name);

	if (!ret)
		ret = sysfs_create_group(&d->kobj, &nooks_domain_group);
	if (ret)
		pr_warn("nooks: %s: no sysfs directory (%d)\n", d->name, ret);
	nooks_xpcbench_add(d);
	/* Without queues the domain receives unbatched: not an error. */
	if (nooks_rx_batch_domain_init(d))
		pr_warn("nooks: %s: no receive queues: unbatched\n", d->name);
	return ret;
}

void nooks_sysfs_remove(struct nooks_domain *d)
{
	nooks_xpcbench_remove(d);
	nooks_rx_batch_domain_exit(d);
	sysfs_remove_group(&d->kobj, &nooks_domain_group);
	kobject_del(&d->kobj);
}
