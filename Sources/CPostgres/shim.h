#ifndef KOL_CPOSTGRES_SHIM_H
#define KOL_CPOSTGRES_SHIM_H
#include <postgresql/libpq-fe.h>
#endif
