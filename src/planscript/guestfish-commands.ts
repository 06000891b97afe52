// The names guestfish knows (libguestfs 1.5x actions, their guestfish aliases and guestfish's own
// commands), so a name the engine lacks can be told apart from a word guestfish would not know either.
// A list of facts taken from libguestfs' generator sources; regenerate it only if guestfish grows.

const NAMES = `
acl-delete-def-file acl-get-file acl-set-file add add-cdrom add-domain add-drive add-drive-ro
add-drive-ro-with-if add-drive-scratch add-drive-with-if add-libvirt-dom add-ro alloc allocate append
attach-method aug-clear aug-close aug-defnode aug-defvar aug-get aug-init aug-insert aug-label aug-load
aug-ls aug-match aug-mv aug-rm aug-save aug-set aug-setm aug-transform autosync available
available-all-groups backend base64-in base64-out blkdiscard blkdiscardzeroes blkid blockdev-flushbufs
blockdev-getbsz blockdev-getro blockdev-getsize64 blockdev-getss blockdev-getsz blockdev-rereadpt
blockdev-setbsz blockdev-setra blockdev-setro blockdev-setrw btrfs-balance btrfs-balance-cancel
btrfs-balance-pause btrfs-balance-resume btrfs-balance-status btrfs-device-add btrfs-device-delete
btrfs-filesystem-balance btrfs-filesystem-defragment btrfs-filesystem-resize btrfs-filesystem-show
btrfs-filesystem-sync btrfs-fsck btrfs-image btrfs-qgroup-assign btrfs-qgroup-create btrfs-qgroup-destroy
btrfs-qgroup-limit btrfs-qgroup-remove btrfs-qgroup-show btrfs-quota-enable btrfs-quota-rescan btrfs-replace
btrfs-rescue-chunk-recover btrfs-rescue-super-recover btrfs-scrub-cancel btrfs-scrub-full btrfs-scrub-resume
btrfs-scrub-start btrfs-scrub-status btrfs-set-seeding btrfs-subvolume-create btrfs-subvolume-delete
btrfs-subvolume-get-default btrfs-subvolume-list btrfs-subvolume-set-default btrfs-subvolume-show
btrfs-subvolume-snapshot btrfstune-enable-extended-inode-refs btrfstune-enable-skinny-metadata-extent-refs
btrfstune-seeding c-pointer cachedir canonical-device-name cap-get-file cap-set-file case-sensitive-path cat
checksum checksum-device checksums-out chmod chown clear-backend-setting clevis-luks-unlock command
command-lines command-out compress-device-out compress-out config copy-attributes copy-device-to-device
copy-device-to-file copy-file-to-device copy-file-to-file copy-in copy-out copy-size cp cp-a cp-r cpio-out
cryptsetup-close cryptsetup-open dd debug debug-drives debug-upload delete-event device-index device-name df
df-h direct disk-create disk-format disk-has-backing-file disk-virtual-size display dmesg domain download
download-blocks download-inode download-offset drop-caches du e2fsck e2fsck-f echo echo-daemon edit egrep
egrepi emacs equal event exists exit extlinux f2fs-expand fallocate fallocate64 feature-available fgrep
fgrepi file file-architecture filesize filesystem-available filesystem-walk fill fill-dir fill-pattern find
find-inode find0 findfs-label findfs-partlabel findfs-partuuid findfs-uuid fsck fstrim get-append
get-attach-method get-autosync get-backend get-backend-setting get-backend-settings get-cachedir get-direct
get-e2attrs get-e2generation get-e2label get-e2uuid get-hv get-identifier
get-libvirt-requested-credential-challenge get-libvirt-requested-credential-defresult
get-libvirt-requested-credential-prompt get-libvirt-requested-credentials get-memsize get-network get-path
get-pgroup get-pid get-program get-qemu get-recovery-proc get-selinux get-smp get-sockdir get-state
get-tmpdir get-trace get-umask get-uuid get-verbose getcon getxattr getxattrs glob glob-expand grep grepi
grub-install head head-n help hexdump hexedit hivex-close hivex-commit hivex-node-add-child
hivex-node-children hivex-node-delete-child hivex-node-get-child hivex-node-get-value hivex-node-name
hivex-node-parent hivex-node-set-value hivex-node-values hivex-open hivex-root hivex-value-key
hivex-value-string hivex-value-type hivex-value-utf8 hivex-value-value hv identifier initrd-cat initrd-list
inotify-add-watch inotify-close inotify-files inotify-init inotify-read inotify-rm-watch inspect-get-arch
inspect-get-build-id inspect-get-distro inspect-get-drive-mappings inspect-get-filesystems
inspect-get-format inspect-get-hostname inspect-get-icon inspect-get-major-version inspect-get-minor-version
inspect-get-mountpoints inspect-get-osinfo inspect-get-package-format inspect-get-package-management
inspect-get-product-name inspect-get-product-variant inspect-get-roots inspect-get-type
inspect-get-windows-current-control-set inspect-get-windows-group-policy inspect-get-windows-software-hive
inspect-get-windows-system-hive inspect-get-windows-systemroot inspect-is-live inspect-is-multipart
inspect-is-netinst inspect-list-applications inspect-list-applications2 inspect-os is-blockdev is-busy
is-chardev is-config is-dir is-fifo is-file is-launching is-lv is-ready is-socket is-symlink is-whole-device
is-zero is-zero-device isoinfo isoinfo-device journal-close journal-get journal-get-data-threshold
journal-get-realtime-usec journal-next journal-open journal-set-data-threshold journal-skip kill-subprocess
launch lcd lchown ldmtool-create-all ldmtool-diskgroup-disks ldmtool-diskgroup-name
ldmtool-diskgroup-volumes ldmtool-remove-all ldmtool-scan ldmtool-scan-devices ldmtool-volume-hint
ldmtool-volume-partitions ldmtool-volume-type less lgetxattr lgetxattrs list-9p list-devices
list-disk-labels list-dm-devices list-events list-filesystems list-ldm-partitions list-ldm-volumes
list-md-devices list-partitions ll llz ln ln-f ln-s ln-sf lremovexattr ls ls0 lsetxattr lstat lstatlist
lstatns lstatnslist luks-add-key luks-close luks-format luks-format-cipher luks-kill-slot luks-open
luks-open-ro luks-uuid lvcreate lvcreate-free lvm-canonical-lv-name lvm-clear-filter lvm-remove-all lvm-scan
lvm-set-filter lvremove lvrename lvresize lvresize-free lvs lvs-full lvuuid lxattrlist man manual max-disks
md-create md-detail md-stat md-stop memsize mkdir mkdir-mode mkdir-p mkdtemp mke2fs mke2journal mkfifo mkfs
mkfs-b mkfs-btrfs mklost-and-found mkmountpoint mknod mknod-b mknod-c mksquashfs mkswap mkswap-file mktemp
modprobe more mount mount-9p mount-local mount-local-run mount-loop mount-options mount-ro mount-vfs
mountable-device mountable-subvolume mountpoints mounts mv network not nr-devices ntfs-3g-probe ntfs-chmod
ntfscat-i ntfsclone-in ntfsclone-out ntfsfix ntfsresize ntfsresize-size parse-environment
parse-environment-list part-add part-del part-disk part-expand-gpt part-get-bootable part-get-disk-guid
part-get-gpt-attributes part-get-gpt-guid part-get-gpt-type part-get-mbr-id part-get-mbr-part-type
part-get-name part-get-parttype part-init part-list part-resize part-set-bootable part-set-disk-guid
part-set-disk-guid-random part-set-gpt-attributes part-set-gpt-guid part-set-gpt-type part-set-mbr-id
part-set-name part-to-dev part-to-partnum path pgroup pid ping-daemon pread pread-device program
pvchange-uuid pvchange-uuid-all pvcreate pvremove pvresize pvresize-size pvs pvs-full pvuuid pwrite
pwrite-device q qemu quit read-file read-lines readdir readlink readlinklist realpath recovery-proc remount
remove-drive removexattr rename reopen resize2fs resize2fs-size rm rm-f rm-rf rmdir rmmountpoint rsync
rsync-in rsync-out run scratch scrub-device scrub-file scrub-freespace selinux selinux-relabel set-append
set-attach-method set-autosync set-backend set-backend-setting set-backend-settings set-cachedir set-direct
set-e2attrs set-e2generation set-e2label set-e2uuid set-hv set-identifier set-label
set-libvirt-requested-credential set-libvirt-supported-credentials set-memsize set-network set-path
set-pgroup set-program set-qemu set-recovery-proc set-selinux set-smp set-tmpdir set-trace set-uuid
set-uuid-random set-verbose setcon setenv setfiles setxattr sfdisk sfdisk-disk-geometry
sfdisk-kernel-geometry sfdisk-l sh sh-lines sh-out shutdown sleep smp sparse stat statns statvfs strings
strings-e supported swapoff-device swapoff-file swapoff-label swapoff-uuid swapon-device swapon-file
swapon-label swapon-uuid sync syslinux tail tail-n tar-in tar-out tgz-in tgz-out time tmpdir touch trace
truncate truncate-size tune2fs tune2fs-l txz-in txz-out umask umount umount-all umount-local unmount
unmount-all unsetenv upload upload-offset user-cancel utimens utsname verbose version vfs-label
vfs-minimum-size vfs-type vfs-uuid vg-activate vg-activate-all vgchange-uuid vgchange-uuid-all vgcreate
vglvuuids vgmeta vgpvuuids vgremove vgrename vgs vgs-full vgscan vguuid vi wait-ready wc-c wc-l wc-w wipefs
write write-append write-file xfs-admin xfs-growfs xfs-info xfs-info2 xfs-repair yara-destroy yara-load
yara-scan zegrep zegrepi zero zero-device zero-free-space zerofree zfgrep zfgrepi zfile zgrep zgrepi
`;

/** Every guestfish command name, with `-` (guestfish also accepts `_`). */
export const GUESTFISH_COMMANDS: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter((n) => n !== ''));
