import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ErrorState, FormError } from "@/components/ui/states";
import { BalanceCards } from "./components/balance-cards";
import { CheckoutBanner } from "./components/checkout-banner";
import { TopUpCard } from "./components/top-up-card";
import { TransactionsSkeleton, TransactionsTable } from "./components/transactions-table";
import { useBalances, useTransactions } from "./data/credits";

function History() {
  const transactions = useTransactions();
  // Every page loaded so far, in order: the table pairs a charge with its hold across pages.
  const list = transactions.data?.pages.flatMap((page) => page.transactions);
  // A failed "Load more" keeps what is shown and says so under it; any other failure replaces it.
  const moreFailed = transactions.isFetchNextPageError;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Transactions</CardTitle>
        <CardDescription>Every change to your balance, newest first.</CardDescription>
      </CardHeader>
      <CardContent className="px-2 sm:px-5">
        {transactions.isPending ? (
          <TransactionsSkeleton />
        ) : transactions.isError && !moreFailed ? (
          <ErrorState error={transactions.error} onRetry={() => transactions.refetch()} title="Transactions could not be loaded" />
        ) : (
          <>
            <TransactionsTable transactions={list ?? []} />
            {transactions.hasNextPage && (
              <div className="mt-3 flex flex-col items-center gap-2">
                {moreFailed && <FormError error={transactions.error} />}
                <Button variant="outline" loading={transactions.isFetchingNextPage} onClick={() => void transactions.fetchNextPage()}>
                  Load more
                </Button>
              </div>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}

export default function CreditsPage() {
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
