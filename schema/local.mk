# schema build fragment (see Makefile.am)
