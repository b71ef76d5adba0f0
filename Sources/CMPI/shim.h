#ifndef CITYTWIN_CMPI_SHIM_H
#define CITYTWIN_CMPI_SHIM_H
#include <mpi.h>

/* Open MPI defines these handles as macros over predefined globals; Swift cannot import them. */
static inline MPI_Comm ct_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype ct_mpi_char(void) { return MPI_CHAR; }
static inline MPI_Datatype ct_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype ct_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype ct_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype ct_mpi_double(void) { return MPI_DOUBLE; }
static inline int ct_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int ct_mpi_any_tag(void) { return MPI_ANY_TAG; }
static inline MPI_Status *ct_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int ct_mpi_success(void) { return MPI_SUCCESS; }
#endif
