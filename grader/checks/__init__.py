"""What the task modules' checks reason with: order data, index reads, alarms, IAM policies and the
prerequisites a check needs.
"""
