#ifndef KOL_CSAMPLERATE_SHIM_H
#define KOL_CSAMPLERATE_SHIM_H
#include <samplerate.h>
#endif
