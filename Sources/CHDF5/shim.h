#ifndef CITYTWIN_CHDF5_SHIM_H
#define CITYTWIN_CHDF5_SHIM_H
#include <hdf5.h>
#include <hdf5_hl.h>

/* HDF5 exposes these as macros that expand to casts or to globals set by H5open();
   Swift cannot import them, so they are wrapped in functions. */
static inline hid_t ct_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t ct_h5s_all(void) { return H5S_ALL; }
static inline unsigned ct_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned ct_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned ct_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned ct_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hid_t ct_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t ct_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t ct_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t ct_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t ct_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t ct_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t ct_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t ct_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t ct_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t ct_h5t_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t ct_h5t_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t ct_h5t_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t ct_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
/* Little-endian file types: outputs are byte-for-byte identical on any host. */
static inline hid_t ct_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t ct_h5t_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t ct_h5t_std_i16le(void) { return H5T_STD_I16LE; }
static inline hid_t ct_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t ct_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t ct_h5t_std_u16le(void) { return H5T_STD_U16LE; }
static inline hid_t ct_h5t_std_u32le(void) { return H5T_STD_U32LE; }
static inline hid_t ct_h5t_std_u64le(void) { return H5T_STD_U64LE; }
static inline hid_t ct_h5p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t ct_h5p_dataset_xfer(void) { return H5P_DATASET_XFER; }
static inline hid_t ct_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t ct_h5e_default(void) { return H5E_DEFAULT; }
static inline hid_t ct_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t ct_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t ct_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline size_t ct_h5t_variable(void) { return H5T_VARIABLE; }
static inline hsize_t ct_h5s_unlimited(void) { return H5S_UNLIMITED; }

/* Silences HDF5's own error-stack printing; callers report errors themselves. */
static inline void ct_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
/* The thread-safe HDF5 build keeps the auto-print setting per thread: call this before
   HDF5 calls on any thread; after the first call on a thread it is a single TLS load. */
static inline void ct_h5_silence_errors_on_this_thread(void) {
    static __thread int silenced = 0;
    if (!silenced) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); silenced = 1; }
}

/* Error-stack walk: copies the description of the innermost error (where HDF5 first
   detected it, e.g. "truncated file: eof = ...") into buf; empty when the stack is empty. */
static inline herr_t ct_h5_walk_innermost(unsigned n, const H5E_error2_t *err, void *data) {
    if (n == 0 && err != NULL && err->desc != NULL) {
        char *buf = (char *)data;
        size_t i = 0;
        /* The first 255 bytes are plenty for a one-line message. */
        for (; i < 255 && err->desc[i] != 0; i++) buf[i] = err->desc[i];
        buf[i] = 0;
    }
    return 0;
}
/* buf must hold at least 256 bytes. Clears the stack afterwards. */
static inline void ct_h5_innermost_error(char *buf) {
    buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, ct_h5_walk_innermost, buf);
    H5Eclear2(H5E_DEFAULT);
}
/* Dimension scales: copies the path of the first scale attached to dimension `dim` of
   dataset `did` into buf (NUL-terminated, truncated to size-1); returns 1 if one was found,
   0 if none, negative on error. */
struct ct_name_buffer { char *buf; size_t size; };
static inline herr_t ct_h5ds_first_scale_visitor(hid_t did, unsigned dim, hid_t dsid, void *data) {
    (void)did; (void)dim;
    struct ct_name_buffer *out = (struct ct_name_buffer *)data;
    ssize_t n = H5Iget_name(dsid, out->buf, out->size);
    return n < 0 ? -1 : 1; /* 1 stops the iteration after the first scale */
}
static inline int ct_h5ds_first_scale_name(hid_t did, unsigned dim, char *buf, size_t size) {
    if (size == 0) return -1;
    buf[0] = 0;
    int count = H5DSget_num_scales(did, dim);
    if (count <= 0) return count;
    struct ct_name_buffer out = { buf, size };
    herr_t rc = H5DSiterate_scales(did, dim, NULL, ct_h5ds_first_scale_visitor, &out);
    return rc < 0 ? -1 : 1;
}
#endif
