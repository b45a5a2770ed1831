import { useSearch } from "@/lib/router";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ErrorState, FormError } from "@/components/ui/states";
import { exportFilename } from "@/lib/csv";
import { type CsvExport } from "@/components/ui/export-button";
import { BalanceCards } from "./components/balance-cards";
import { CheckoutBanner } from "./components/checkout-banner";
import { TopUpCard } from "./components/top-up-card";
import { TransactionsSkeleton, TransactionsTable } from "./components/transactions-table";
import { HistoryFiltersBar } from "./components/history-filters";
import { fetchAllTransactions, useBalances, useTransactions } from "./data/credits";
import { hasFilters, historyCsv, historyQuery, historySearch, rangeError } from "./data/history";

function History() {
  const [filters, setFilters] = useSearch(historySearch);
  const badRange = rangeError(filters);
  const query = historyQuery(filters);
  const transactions = useTransactions(query, badRange === null);
  // Every page loaded so far, in order.
  const list = transactions.data?.pages.flatMap((page) => page.transactions);
  // A failed "Load more" keeps what is shown and says so under it; any other failure replaces it.
  const moreFailed = transactions.isFetchNextPageError;

  const buildExport = async (): Promise<CsvExport> => {
    const { lines, truncated } = await fetchAllTransactions(query);
    return {
      filename: exportFilename("credits"),
      csv: historyCsv(lines),
      truncatedNote: truncated ? `Exported the newest ${lines.length.toLocaleString("en-US")} lines; narrow the dates for older ones.` : undefined,
    };
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Transactions</CardTitle>
        <CardDescription>
          Every change to your balance, newest first: one line per request, with what it cost. Times are in your time zone.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 px-2 sm:px-5">
        <div className="px-1 sm:px-0">
          <HistoryFiltersBar filters={filters} onChange={setFilters} onExport={buildExport} />
          {badRange && <p className="mt-2 text-sm text-destructive">{badRange}</p>}
        </div>
        {badRange ? null : transactions.isPending ? (
          <TransactionsSkeleton />
        ) : transactions.isError && !moreFailed ? (
          <ErrorState error={transactions.error} onRetry={() => transactions.refetch()} title="Transactions could not be loaded" />
        ) : (
          <div>
            <TransactionsTable transactions={list ?? []} filtered={hasFilters(filters)} />
            {transactions.hasNextPage && (
              <div className="mt-3 flex flex-col items-center gap-2">
                {moreFailed && <FormError error={transactions.error} />}
                <Button variant="outline" loading={transactions.isFetchingNextPage} onClick={() => void transactions.fetchNextPage()}>
                  Load more
                </Button>
              </div>
            )}
          </div>
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
