# The Redmine part of the end-to-end test across tools (test_e2e_across_tools.py):
# project "ops" with three issues whose history lies in 2027-Q1, added with
# `rails runner` to a copy of the Redmine tests' template (tests/redmine/seed.rb), so
# the new issues get ids 7, 8 and 9. History is written as Redmine writes it (journals
# with details), then dated (Redmine stamps everything "now"). Instants are UTC.

ActionMailer::Base.perform_deliveries = false
ActiveJob::Base.queue_adapter = :inline  # no background threads: see tests/redmine/seed.rb

def at(text)
  Time.utc(*text.split(/[-T:]/).map(&:to_i))
end

admin = User.find_by_login('admin')
bot = User.find_by_login('okr-bot')
status = IssueStatus.all.index_by(&:name)
tracker = Tracker.all.index_by(&:name)
points = IssueCustomField.find_by_name('Story points')
ops = Project.create!(name: 'Operations', identifier: 'ops', is_public: true,
                      trackers: Tracker.all.to_a, enabled_module_names: %w[issue_tracking])
Member.create!(user: bot, project: ops, roles: [Role.find_by_name('Manager')])

# [subject, tracker, points, created, [[instant, from status, to status], ...], closed]
seeds = [
  ['Alert on failed payouts', 'Story', '3', '2027-01-02T09:00',
   [['2027-01-03T09:00', 'New', 'In Progress'], ['2027-01-12T16:00', 'In Progress', 'Closed']]],
  ['Duplicate payout e-mails', 'Bug', '1', '2027-01-05T09:00',
   [['2027-01-07T12:00', 'New', 'Closed']]],
  ['Payout dashboard', 'Story', '5', '2027-01-16T09:00',
   [['2027-01-18T10:00', 'New', 'In Progress']]],
]
made = seeds.map do |subject, kind, estimate, created, moves|
  issue = Issue.new(project: ops, tracker: tracker[kind], subject: subject, author: admin,
                    priority: IssuePriority.default)
  issue.status = status[moves.last[2]]
  issue.custom_field_values = { points.id => estimate }
  issue.save!
  moves.each do |instant, from, to|
    entry = Journal.new(journalized: issue, user: admin, notes: '')
    entry.details << JournalDetail.new(property: 'attr', prop_key: 'status_id',
                                       old_value: status[from].id.to_s,
                                       value: status[to].id.to_s)
    entry.save!
    entry.update_columns(created_on: at(instant))
  end
  closed = moves.last[2] == 'Closed' ? at(moves.last[0]) : nil
  issue.update_columns(created_on: at(created), updated_on: at(moves.last[0]), closed_on: closed)
  issue.id
end
puts({ ops: made }.to_json)
