// Tests hash passwords with the smallest argon2id memory the setting allows (1 MiB); production uses 19 MiB (see README).
process.env.PASSWORD_HASH_MEMORY_KIB ??= '1024';
process.env.LOG_LEVEL ??= 'silent';
process.env.ADMIN_EMAIL ??= 'admin@test.example.jp';
process.env.ADMIN_PASSWORD ??= 'admin-password-123';
// The mail scheduler's rounds run only where a test calls them (MailScheduler.runOnce).
process.env.MAIL_SCHEDULE_MINUTES ??= '0';
// Nor does the sender poll: a test delivers with MailSender.drain(), so nothing races its assertions.
process.env.MAIL_POLL_SECONDS ??= '0';
