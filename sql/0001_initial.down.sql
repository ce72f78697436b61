DROP TABLE market_metrics;
DROP TABLE order_books;
DROP TABLE trades;
DROP TABLE candlesticks;
