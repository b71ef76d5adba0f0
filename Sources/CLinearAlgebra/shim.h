#ifndef CITYTWIN_CLINEARALGEBRA_SHIM_H
#define CITYTWIN_CLINEARALGEBRA_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* for sincos */
#endif
#include <math.h>
#include <cblas.h>
#include <lapacke.h>

/// sin and cos of one angle in one libm call (glibc's sincos shares the argument reduction).
static inline void citytwin_sincos(double x, double *s, double *c) { sincos(x, s, c); }
#endif
