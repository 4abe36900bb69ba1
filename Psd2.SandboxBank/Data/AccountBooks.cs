namespace Psd2.SandboxBank.Data;

/// <summary>The most recently used account books, at most <c>capacity</c> of them.</summary>
internal sealed class AccountBooks(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<AccountSeed, LinkedListNode<AccountBook>> _books = [];
    private readonly LinkedList<AccountBook> _recency = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _books.Count;
            }
        }
    }

    public AccountBook For(AccountSeed account)
    {
        lock (_gate)
        {
            if (_books.TryGetValue(account, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value;
            }
        }

        // Built outside the lock: a café's profile makes hundreds of customers, and other accounts need not wait.
        var book = new AccountBook(new AccountProfile(account));
        lock (_gate)
        {
            if (_books.TryGetValue(account, out var raced))
            {
                return raced.Value;
            }

            _books.Add(account, _recency.AddFirst(book));
            if (_books.Count > capacity)
            {
                var eldest = _recency.Last!;
                _recency.RemoveLast();
                _books.Remove(eldest.Value.Profile.Account);
            }

            return book;
        }
    }
}
