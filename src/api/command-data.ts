/** A validated DTO as plain command data: own fields that are set (absent optional ones dropped). */
export function commandData<T extends object>(dto: T): T {
  return Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined)) as T;
}
