import { serverTlsArguments } from './server-tls';

/**
 * The one name in the certificate of the tests' RabbitMQ node: `localhost`, not 127.0.0.1, so that
 * amqplib, which verifies the host name of an amqps:// URL, is refused at 127.0.0.1 and let in at
 * localhost (test/integration/broker-tls.test.ts shows both).
 */
export const RABBITMQ_TLS_HOST = 'localhost';

/** The port of the node's TLS listener (AMQP's own, 5671), on 127.0.0.1 (scripts/infra/ensure-rabbitmq.sh). */
export const RABBITMQ_TLS_PORT = 5671;

/**
 * The arguments of scripts/infra/ensure-rabbitmq.sh that give the tests' RabbitMQ node a TLS
 * listener on 127.0.0.1:5671 with a certificate from the tests' CA (test/support/tls.ts), issued
 * when due (serverTlsArguments). Sets TEST_AMQPS_PORT, which
 * tells the TLS test that the node is one set up so (not a broker of one's own, TEST_AMQP_URL).
 */
export async function rabbitmqTlsArguments(): Promise<string[]> {
  process.env.TEST_AMQPS_PORT = String(RABBITMQ_TLS_PORT);
  return serverTlsArguments('rabbitmq', RABBITMQ_TLS_HOST);
}
