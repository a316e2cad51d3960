# cli build fragment (see Makefile.am)
