/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operation-table entries nooks interposes on, one row each. shadow.c
 * expands these rows into trampolines and into the code that installs
 * them in a shadow copy of the driver's table. A member the driver sets
 * but that is not listed here keeps the driver's pointer (uncontained).
 *
 *   NOOKS_OP(table, type, member, error value, inject entry, (params), (args))
 *   NOOKS_OP_VOID(table, member, inject entry, (params), (args))
 * table: ndo (net_device_ops), eth (ethtool_ops), pci (struct pci_driver),
 * pm (dev_pm_ops, pci_driver.driver.pm), err (pci_error_handlers,
 * pci_driver.err_handler). The error value is what the kernel gets when
 * the driver faulted or the domain is down.
 *
 * Every parameter list names "dev" the argument that leads to the shadow:
 * the net_device (ndo, eth), the pci_dev (pci, err), the device (pm).
 *
 *   NOOKS_OUT(table, member, size1, size2, buffer)
 * follows an eth row whose arguments point to kernel memory the driver
 * fills in, granted for the call with isolation=pagetable (pt/grant.c):
 * size1, size2: of what arguments 1 and 2 after dev point to (0: nothing);
 * buffer: how long the data buffer in argument 2 is (enum nooks_pt_buf,
 * without NOOKS_PT_BUF_). Resolved per trampoline at compile time.
 */
#ifndef NOOKS_OUT
#define NOOKS_OUT(table, member, size1, size2, buffer)
#endif
/* net_device_ops (ndo_start_xmit is hand-written in shadow.c: it drops) */
NOOKS_OP(ndo, int, ndo_open, -EIO, NOOKS_INJ_NDO_OPEN,
	 (struct net_device *dev), (dev))
NOOKS_OP(ndo, int, ndo_stop, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_OP(ndo, struct net_device_stats *, ndo_get_stats, &dev->stats,
	 NOOKS_INJ_NONE, (struct net_device *dev), (dev))
NOOKS_OP_VOID(ndo, ndo_set_rx_mode, NOOKS_INJ_NONE,
	      (struct net_device *dev), (dev))
NOOKS_OP(ndo, int, ndo_set_mac_address, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, void *addr), (dev, addr))
NOOKS_OP(ndo, int, ndo_validate_addr, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_OP_VOID(ndo, ndo_tx_timeout, NOOKS_INJ_NONE,
	      (struct net_device *dev, unsigned int txqueue), (dev, txqueue))
NOOKS_OP(ndo, int, ndo_change_mtu, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, int new_mtu), (dev, new_mtu))
NOOKS_OP(ndo, int, ndo_eth_ioctl, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ifreq *ifr, int cmd), (dev, ifr, cmd))
NOOKS_OP(ndo, int, ndo_vlan_rx_add_vid, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, __be16 proto, u16 vid), (dev, proto, vid))
NOOKS_OP(ndo, int, ndo_vlan_rx_kill_vid, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, __be16 proto, u16 vid), (dev, proto, vid))
NOOKS_OP(ndo, netdev_features_t, ndo_fix_features, features, NOOKS_INJ_NONE,
	 (struct net_device *dev, netdev_features_t features), (dev, features))
NOOKS_OP(ndo, int, ndo_set_features, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, netdev_features_t features), (dev, features))
#ifdef CONFIG_NET_POLL_CONTROLLER
NOOKS_OP_VOID(ndo, ndo_poll_controller, NOOKS_INJ_NONE,
	      (struct net_device *dev), (dev))
#endif

/* ethtool_ops */
NOOKS_OP_VOID(eth, get_drvinfo, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_drvinfo *info),
	      (dev, info))
NOOKS_OUT(eth, get_drvinfo, sizeof(struct ethtool_drvinfo), 0, NONE)
NOOKS_OP(eth, int, get_regs_len, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_OP_VOID(eth, get_wol, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_wolinfo *wol), (dev, wol))
NOOKS_OUT(eth, get_wol, sizeof(struct ethtool_wolinfo), 0, NONE)
NOOKS_OP(eth, u32, get_msglevel, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_OP_VOID(eth, set_msglevel, NOOKS_INJ_NONE,
	      (struct net_device *dev, u32 level), (dev, level))
NOOKS_OP(eth, int, nway_reset, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_OP(eth, u32, get_link, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_OP(eth, int, get_eeprom_len, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_OP_VOID(eth, get_strings, NOOKS_INJ_NONE,
	      (struct net_device *dev, u32 sset, u8 *data), (dev, sset, data))
NOOKS_OUT(eth, get_strings, 0, 0, STRINGS)
NOOKS_OP_VOID(eth, get_ethtool_stats, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_stats *stats, u64 *data),
	      (dev, stats, data))
NOOKS_OUT(eth, get_ethtool_stats, sizeof(struct ethtool_stats), 0, STATS)
NOOKS_OP(eth, int, get_sset_count, -EOPNOTSUPP, NOOKS_INJ_NONE,
	 (struct net_device *dev, int sset), (dev, sset))
NOOKS_OP(eth, int, get_link_ksettings, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_link_ksettings *ks), (dev, ks))
NOOKS_OUT(eth, get_link_ksettings, sizeof(struct ethtool_link_ksettings), 0,
	  NONE)
NOOKS_OP(eth, int, set_link_ksettings, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, const struct ethtool_link_ksettings *ks),
	 (dev, ks))
NOOKS_OP_VOID(eth, get_regs, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_regs *regs, void *p),
	      (dev, regs, p))
NOOKS_OUT(eth, get_regs, sizeof(struct ethtool_regs), 0, REGS)
NOOKS_OP(eth, int, set_wol, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_wolinfo *wol), (dev, wol))
NOOKS_OP(eth, int, get_eeprom, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_eeprom *ee, u8 *data),
	 (dev, ee, data))
NOOKS_OUT(eth, get_eeprom, sizeof(struct ethtool_eeprom), 0, EEPROM)
NOOKS_OP(eth, int, set_eeprom, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_eeprom *ee, u8 *data),
	 (dev, ee, data))
NOOKS_OP(eth, int, get_coalesce, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_coalesce *ec,
	 struct kernel_ethtool_coalesce *kec, struct netlink_ext_ack *ack),
	 (dev, ec, kec, ack))
NOOKS_OUT(eth, get_coalesce, sizeof(struct ethtool_coalesce),
	  sizeof(struct kernel_ethtool_coalesce), NONE)
NOOKS_OP(eth, int, set_coalesce, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_coalesce *ec,
	 struct kernel_ethtool_coalesce *kec, struct netlink_ext_ack *ack),
	 (dev, ec, kec, ack))
NOOKS_OP_VOID(eth, get_ringparam, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_ringparam *rp,
	      struct kernel_ethtool_ringparam *krp,
	      struct netlink_ext_ack *ack),
	      (dev, rp, krp, ack))
NOOKS_OUT(eth, get_ringparam, sizeof(struct ethtool_ringparam),
	  sizeof(struct kernel_ethtool_ringparam), NONE)
NOOKS_OP(eth, int, set_ringparam, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_ringparam *rp,
	 struct kernel_ethtool_ringparam *krp, struct netlink_ext_ack *ack),
	 (dev, rp, krp, ack))
NOOKS_OP_VOID(eth, get_pauseparam, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_pauseparam *pp),
	      (dev, pp))
NOOKS_OUT(eth, get_pauseparam, sizeof(struct ethtool_pauseparam), 0, NONE)
NOOKS_OP(eth, int, set_pauseparam, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_pauseparam *pp), (dev, pp))
NOOKS_OP_VOID(eth, self_test, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_test *t, u64 *data),
	      (dev, t, data))
NOOKS_OUT(eth, self_test, sizeof(struct ethtool_test), 0, TEST)
NOOKS_OP(eth, int, set_phys_id, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, enum ethtool_phys_id_state state),
	 (dev, state))
NOOKS_OP(eth, int, get_ts_info, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_ts_info *info), (dev, info))
NOOKS_OUT(eth, get_ts_info, sizeof(struct ethtool_ts_info), 0, NONE)

/*
 * struct pci_driver (probe is hand-written in shadow.c: it records the
 * device). suspend/resume are the legacy PCI PM hooks (e1000 uses
 * dev_pm_ops below); they answer to the same triggers.
 */
NOOKS_OP_VOID(pci, remove, NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_OP_VOID(pci, shutdown, NOOKS_INJ_SHUTDOWN, (struct pci_dev *dev), (dev))
NOOKS_OP(pci, int, suspend, -EIO, NOOKS_INJ_PM_SUSPEND,
	 (struct pci_dev *dev, pm_message_t state), (dev, state))
NOOKS_OP(pci, int, resume, -EIO, NOOKS_INJ_PM_RESUME,
	 (struct pci_dev *dev), (dev))
NOOKS_OP(pci, int, sriov_configure, -EIO, NOOKS_INJ_NONE,
	 (struct pci_dev *dev, int num_vfs), (dev, num_vfs))

/*
 * dev_pm_ops. A failed system-sleep callback aborts the transition (or,
 * on the way back, is logged by the PM core, which goes on): -EIO. The
 * runtime-PM ones answer -EBUSY ("not now"), which leaves the device
 * powered, where -EIO would mark its runtime PM as broken for good.
 * Trigger pm_suspend aims at the callbacks that put the device to sleep
 * for suspend or hibernation (suspend, freeze, poweroff), pm_resume at
 * those that wake it (resume, thaw, restore).
 */
NOOKS_OP(pm, int, prepare, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP_VOID(pm, complete, NOOKS_INJ_NONE,
	      (struct device *dev), (dev))
NOOKS_OP(pm, int, suspend, -EIO, NOOKS_INJ_PM_SUSPEND,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, resume, -EIO, NOOKS_INJ_PM_RESUME,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, freeze, -EIO, NOOKS_INJ_PM_SUSPEND,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, thaw, -EIO, NOOKS_INJ_PM_RESUME,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, poweroff, -EIO, NOOKS_INJ_PM_SUSPEND,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, restore, -EIO, NOOKS_INJ_PM_RESUME,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, suspend_late, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, resume_early, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, freeze_late, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, thaw_early, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, poweroff_late, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, restore_early, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, suspend_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, resume_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, freeze_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, thaw_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, poweroff_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, restore_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, runtime_suspend, -EBUSY, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, runtime_resume, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_OP(pm, int, runtime_idle, -EBUSY, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))

/*
 * pci_error_handlers. A faulted handler votes DISCONNECT: the PCI core
 * gives the device up (nooks restarts the driver, which probes afresh).
 */
NOOKS_OP(err, pci_ers_result_t, error_detected, PCI_ERS_RESULT_DISCONNECT,
	 NOOKS_INJ_ERR_DETECTED,
	 (struct pci_dev *dev, pci_channel_state_t state), (dev, state))
NOOKS_OP(err, pci_ers_result_t, mmio_enabled, PCI_ERS_RESULT_DISCONNECT,
	 NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_OP(err, pci_ers_result_t, slot_reset, PCI_ERS_RESULT_DISCONNECT,
	 NOOKS_INJ_ERR_SLOT_RESET, (struct pci_dev *dev), (dev))
NOOKS_OP_VOID(err, reset_prepare, NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_OP_VOID(err, reset_done, NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_OP_VOID(err, resume, NOOKS_INJ_ERR_RESUME, (struct pci_dev *dev), (dev))

#undef NOOKS_OUT
