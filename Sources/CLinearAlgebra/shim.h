#ifndef CITYTWIN_CLINEARALGEBRA_SHIM_H
#define CITYTWIN_CLINEARALGEBRA_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/* glibc's sincos, declared here because <math.h> declares it only under _GNU_SOURCE, and
   defining that in one module's header makes the system headers differ between modules. */
extern void sincos(double x, double *sin_x, double *cos_x);

/// sin and cos of one angle in one libm call (glibc's sincos shares the argument reduction).
static inline void citytwin_sincos(double x, double *s, double *c) { sincos(x, s, c); }
#endif
