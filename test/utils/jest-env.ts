// Tests hash passwords with a cheaper scrypt; production uses 2^17 (see README).
process.env.SCRYPT_LOG_N ??= '12';
process.env.LOG_LEVEL ??= 'silent';
