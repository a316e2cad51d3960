# Manual pages.
dist_man_MANS += man/sshrecd.8 man/sshrec.1 man/pam_sshrec.8 man/sshrecd.conf.5
