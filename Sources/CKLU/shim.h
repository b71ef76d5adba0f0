#ifndef CITYTWIN_CKLU_SHIM_H
#define CITYTWIN_CKLU_SHIM_H
#include <suitesparse/klu.h>
#endif
