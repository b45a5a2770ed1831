import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ErrorState } from "@/components/ui/states";
import { BalanceCards } from "./components/balance-cards";
import { CheckoutBanner } from "./components/checkout-banner";
import { TopUpCard } from "./components/top-up-card";
import { TransactionsSkeleton, TransactionsTable } from "./components/transactions-table";
import { TRANSACTIONS_MAX, TRANSACTIONS_PAGE, useBalances, useTransactions } from "./data/credits";

function History() {
  const [limit, setLimit] = useState(TRANSACTIONS_PAGE);
  const transactions = useTransactions(limit);
  const list = transactions.data?.transactions;
  const full = list !== undefined && list.length >= limit;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Transactions</CardTitle>
        <CardDescription>Every change to your balance, newest first.</CardDescription>
      </CardHeader>
      <CardContent className="px-2 sm:px-5">
        {transactions.isPending ? (
          <TransactionsSkeleton />
        ) : transactions.isError ? (
          <ErrorState error={transactions.error} onRetry={() => transactions.refetch()} title="Transactions could not be loaded" />
        ) : (
          <>
            <TransactionsTable transactions={list ?? []} />
            {full && limit < TRANSACTIONS_MAX && (
              <div className="mt-3 flex justify-center">
                <Button
                  variant="outline"
                  loading={transactions.isPlaceholderData}
                  onClick={() => setLimit((l) => Math.min(l + TRANSACTIONS_PAGE, TRANSACTIONS_MAX))}
                >
                  Load more
                </Button>
              </div>
            )}
            {full && limit >= TRANSACTIONS_MAX && (
              <p className="mt-3 text-center text-xs text-muted-foreground">Showing the latest {TRANSACTIONS_MAX} entries.</p>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}

export default function CreditsPage(_: { params: Record<string, string> }) {
  const balances = useBalances();
  return (
    <>
      <PageHeader title="Credits" description="Your prepaid balance pays for every request made with your keys." />
      <CheckoutBanner />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
        <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_24rem] lg:items-start">
          {balances.isError ? (
            <ErrorState error={balances.error} onRetry={() => balances.refetch()} title="Your balance could not be loaded" />
          ) : (
            <BalanceCards balances={balances.data} />
          )}
          <TopUpCard />
        </div>
        <History />
      </div>
    </>
  );
}
