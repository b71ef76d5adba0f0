#ifndef CITYTWIN_CLINEARALGEBRA_SHIM_H
#define CITYTWIN_CLINEARALGEBRA_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
