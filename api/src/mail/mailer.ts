import nodemailer, { type Transporter } from 'nodemailer';

/** LiteLLM's SMTP settings, from the environment or environment_variables. */
export interface SmtpSettings {
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  sender: string;
  /** SMTP_TLS: implicit TLS (true) or STARTTLS when the server offers it (false) */
  tls: boolean;
}

export function smtpFromEnv(env: Record<string, string | undefined>): SmtpSettings | null {
  const host = env.SMTP_HOST?.trim();
  if (!host) return null;
  const port = Number(env.SMTP_PORT ?? 587);
  const tls = /^(1|true|yes)$/i.test(env.SMTP_TLS ?? '');
  return {
    host,
    port: Number.isInteger(port) && port > 0 ? port : 587,
    user: env.SMTP_USERNAME?.trim() || null,
    password: env.SMTP_PASSWORD ?? null,
    sender: env.SMTP_SENDER_EMAIL?.trim() || `purser@${host}`,
    tls,
  };
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail through nodemailer; without SMTP settings there is no mailer at all. */
export class Mailer {
  private readonly transport: Transporter;

  constructor(readonly smtp: SmtpSettings) {
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.tls,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(mail: Mail): Promise<void> {
    await this.transport.sendMail({ from: this.smtp.sender, ...mail });
  }
}
