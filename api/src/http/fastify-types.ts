// brings @fastify/cookie's request/reply typings into every module that uses them
import '@fastify/cookie';
