/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operation-table entries nooks interposes on, one row each. shadow.c
 * expands these rows into trampolines and into the code that installs
 * them in a shadow copy of the driver's table. A member the driver sets
 * but that is not listed here keeps the driver's pointer (uncontained).
 *
 *   NOOKS_NDO(type, member, error value, inject entry, (params), (args))
 *   NOOKS_NDO_VOID(member, inject entry, (params), (args))
 * and alike NOOKS_ETH* for ethtool_ops, NOOKS_PCI* for struct pci_driver,
 * NOOKS_PM* for dev_pm_ops (pci_driver.driver.pm) and NOOKS_ERR* for
 * pci_error_handlers (pci_driver.err_handler). The error value is what
 * the kernel gets when the driver faulted or the domain is down.
 *
 * Every parameter list names "dev" the argument that leads to the shadow:
 * the net_device (NDO, ETH), the pci_dev (PCI, ERR), the device (PM).
 */
/* net_device_ops (ndo_start_xmit is hand-written in shadow.c: it drops) */
NOOKS_NDO(int, ndo_open, -EIO, NOOKS_INJ_NDO_OPEN,
	 (struct net_device *dev), (dev))
NOOKS_NDO(int, ndo_stop, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_NDO(struct net_device_stats *, ndo_get_stats, &dev->stats,
	 NOOKS_INJ_NONE, (struct net_device *dev), (dev))
NOOKS_NDO_VOID(ndo_set_rx_mode, NOOKS_INJ_NONE,
	      (struct net_device *dev), (dev))
NOOKS_NDO(int, ndo_set_mac_address, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, void *addr), (dev, addr))
NOOKS_NDO(int, ndo_validate_addr, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_NDO_VOID(ndo_tx_timeout, NOOKS_INJ_NONE,
	      (struct net_device *dev, unsigned int txqueue), (dev, txqueue))
NOOKS_NDO(int, ndo_change_mtu, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, int new_mtu), (dev, new_mtu))
NOOKS_NDO(int, ndo_eth_ioctl, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ifreq *ifr, int cmd), (dev, ifr, cmd))
NOOKS_NDO(int, ndo_vlan_rx_add_vid, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, __be16 proto, u16 vid), (dev, proto, vid))
NOOKS_NDO(int, ndo_vlan_rx_kill_vid, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, __be16 proto, u16 vid), (dev, proto, vid))
NOOKS_NDO(netdev_features_t, ndo_fix_features, features, NOOKS_INJ_NONE,
	 (struct net_device *dev, netdev_features_t features), (dev, features))
NOOKS_NDO(int, ndo_set_features, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, netdev_features_t features), (dev, features))
#ifdef CONFIG_NET_POLL_CONTROLLER
NOOKS_NDO_VOID(ndo_poll_controller, NOOKS_INJ_NONE,
	      (struct net_device *dev), (dev))
#endif

/* ethtool_ops */
NOOKS_ETH_VOID(get_drvinfo, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_drvinfo *info),
	      (dev, info))
NOOKS_ETH(int, get_regs_len, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_ETH_VOID(get_wol, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_wolinfo *wol), (dev, wol))
NOOKS_ETH(u32, get_msglevel, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_ETH_VOID(set_msglevel, NOOKS_INJ_NONE,
	      (struct net_device *dev, u32 level), (dev, level))
NOOKS_ETH(int, nway_reset, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_ETH(u32, get_link, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_ETH(int, get_eeprom_len, 0, NOOKS_INJ_NONE,
	 (struct net_device *dev), (dev))
NOOKS_ETH_VOID(get_strings, NOOKS_INJ_NONE,
	      (struct net_device *dev, u32 sset, u8 *data), (dev, sset, data))
NOOKS_ETH_VOID(get_ethtool_stats, NOOKS_INJ_NONE,
	      (struct net_device *dev, struct ethtool_stats *stats, u64 *data),
	      (dev, stats, data))
NOOKS_ETH(int, get_sset_count, -EOPNOTSUPP, NOOKS_INJ_NONE,
	 (struct net_device *dev, int sset), (dev, sset))
NOOKS_ETH(int, get_link_ksettings, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, struct ethtool_link_ksettings *ks), (dev, ks))
NOOKS_ETH(int, set_link_ksettings, -EIO, NOOKS_INJ_NONE,
	 (struct net_device *dev, const struct ethtool_link_ksettings *ks),
	 (dev, ks))
NOOKS_ETH_VOID(get_regs, NOOKS_INJ_NONE,
	       (struct net_device *dev, struct ethtool_regs *regs, void *p),
	       (dev, regs, p))
NOOKS_ETH(int, set_wol, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_wolinfo *wol), (dev, wol))
NOOKS_ETH(int, get_eeprom, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_eeprom *ee, u8 *data),
	  (dev, ee, data))
NOOKS_ETH(int, set_eeprom, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_eeprom *ee, u8 *data),
	  (dev, ee, data))
NOOKS_ETH(int, get_coalesce, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_coalesce *ec,
	   struct kernel_ethtool_coalesce *kec, struct netlink_ext_ack *ack),
	  (dev, ec, kec, ack))
NOOKS_ETH(int, set_coalesce, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_coalesce *ec,
	   struct kernel_ethtool_coalesce *kec, struct netlink_ext_ack *ack),
	  (dev, ec, kec, ack))
NOOKS_ETH_VOID(get_ringparam, NOOKS_INJ_NONE,
	       (struct net_device *dev, struct ethtool_ringparam *rp,
		struct kernel_ethtool_ringparam *krp,
		struct netlink_ext_ack *ack),
	       (dev, rp, krp, ack))
NOOKS_ETH(int, set_ringparam, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_ringparam *rp,
	   struct kernel_ethtool_ringparam *krp, struct netlink_ext_ack *ack),
	  (dev, rp, krp, ack))
NOOKS_ETH_VOID(get_pauseparam, NOOKS_INJ_NONE,
	       (struct net_device *dev, struct ethtool_pauseparam *pp),
	       (dev, pp))
NOOKS_ETH(int, set_pauseparam, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_pauseparam *pp), (dev, pp))
NOOKS_ETH_VOID(self_test, NOOKS_INJ_NONE,
	       (struct net_device *dev, struct ethtool_test *t, u64 *data),
	       (dev, t, data))
NOOKS_ETH(int, set_phys_id, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, enum ethtool_phys_id_state state),
	  (dev, state))
NOOKS_ETH(int, get_ts_info, -EIO, NOOKS_INJ_NONE,
	  (struct net_device *dev, struct ethtool_ts_info *info), (dev, info))

/*
 * struct pci_driver (probe is hand-written in shadow.c: it records the
 * device). suspend/resume are the legacy PCI PM hooks (e1000 uses
 * dev_pm_ops below); they answer to the same triggers.
 */
NOOKS_PCI_VOID(remove, NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_PCI_VOID(shutdown, NOOKS_INJ_SHUTDOWN, (struct pci_dev *dev), (dev))
NOOKS_PCI(int, suspend, -EIO, NOOKS_INJ_PM_SUSPEND,
	  (struct pci_dev *dev, pm_message_t state), (dev, state))
NOOKS_PCI(int, resume, -EIO, NOOKS_INJ_PM_RESUME,
	  (struct pci_dev *dev), (dev))
NOOKS_PCI(int, sriov_configure, -EIO, NOOKS_INJ_NONE,
	  (struct pci_dev *dev, int num_vfs), (dev, num_vfs))

/*
 * dev_pm_ops. A failed system-sleep callback aborts the transition (or,
 * on the way back, is logged by the PM core, which goes on): -EIO. The
 * runtime-PM ones answer -EBUSY ("not now"), which leaves the device
 * powered, where -EIO would mark its runtime PM as broken for good.
 */
NOOKS_PM(int, prepare, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM_VOID(complete, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, suspend, -EIO, NOOKS_INJ_PM_SUSPEND,
	 (struct device *dev), (dev))
NOOKS_PM(int, resume, -EIO, NOOKS_INJ_PM_RESUME, (struct device *dev), (dev))
NOOKS_PM(int, freeze, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, thaw, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, poweroff, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, restore, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, suspend_late, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, resume_early, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, freeze_late, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, thaw_early, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, poweroff_late, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, restore_early, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, suspend_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, resume_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, freeze_noirq, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, thaw_noirq, -EIO, NOOKS_INJ_NONE, (struct device *dev), (dev))
NOOKS_PM(int, poweroff_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, restore_noirq, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, runtime_suspend, -EBUSY, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, runtime_resume, -EIO, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))
NOOKS_PM(int, runtime_idle, -EBUSY, NOOKS_INJ_NONE,
	 (struct device *dev), (dev))

/*
 * pci_error_handlers. A faulted handler votes DISCONNECT: the PCI core
 * gives the device up (nooks restarts the driver, which probes afresh).
 */
NOOKS_ERR(pci_ers_result_t, error_detected, PCI_ERS_RESULT_DISCONNECT,
	  NOOKS_INJ_ERR_DETECTED,
	  (struct pci_dev *dev, pci_channel_state_t state), (dev, state))
NOOKS_ERR(pci_ers_result_t, mmio_enabled, PCI_ERS_RESULT_DISCONNECT,
	  NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_ERR(pci_ers_result_t, slot_reset, PCI_ERS_RESULT_DISCONNECT,
	  NOOKS_INJ_ERR_SLOT_RESET, (struct pci_dev *dev), (dev))
NOOKS_ERR_VOID(reset_prepare, NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_ERR_VOID(reset_done, NOOKS_INJ_NONE, (struct pci_dev *dev), (dev))
NOOKS_ERR_VOID(resume, NOOKS_INJ_ERR_RESUME, (struct pci_dev *dev), (dev))
