import type { ContractTransactionReceipt, Interface, LogDescription } from "ethers";

/**
 * The events of `iface` in a receipt, in log order, optionally only those named `name` (logs of
 * other contracts, which `iface` does not know, are skipped).
 */
export function eventsOf(
  receipt: ContractTransactionReceipt | null,
  iface: Interface,
  name?: string,
): LogDescription[] {
  if (receipt === null) throw new Error("eventsOf: no receipt (the transaction was not mined)");
  return receipt.logs.flatMap((log) => {
    const e = iface.parseLog(log);
    return e === null || (name !== undefined && e.name !== name) ? [] : [e];
  });
}
