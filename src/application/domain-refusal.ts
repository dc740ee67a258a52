import { DOMAIN_ERROR_STATUS, type DomainError } from '../domain';

/** A command the domain refused: carries the DomainError and the HTTP status it maps to. */
export class DomainRefusal extends Error {
  override readonly name = 'DomainRefusal';
  readonly status: number;

  constructor(readonly error: DomainError) {
    super(error.message);
    this.status = DOMAIN_ERROR_STATUS[error.code];
  }
}
