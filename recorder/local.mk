# recorder build fragment (see Makefile.am)
