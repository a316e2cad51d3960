# pam build fragment (see Makefile.am)
